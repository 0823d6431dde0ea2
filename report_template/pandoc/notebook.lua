-- Pandoc filter for an executed evalkit notebook read with `--from ipynb` (pandoc engine).

-- Defence in depth behind evalkit.report.markup (which escapes all user text): whatever a
-- notebook output holds, it reaches the report as text. Raw HTML/typst/OpenXML/LaTeX shows as
-- its literal text — except evalkit's own page-layout blocks, matched exactly (LAYOUT below =
-- evalkit/report/layout.py) — and an image shows only if it is one of the notebook's own outputs
-- (a chart in pandoc's media bag); any other image becomes its description, so that nothing a
-- path or URL names is fetched or embedded (--embed-resources, docx media, typst). Links go to
-- the web only.

-- evalkit's page breaks, contents page and table sizes: fixed strings (tests keep them equal to
-- evalkit/report/layout.py). A raw block passes only if its format and whole text are one of these.
local LAYOUT = {
  {"typst", [==[#pagebreak(weak: true)]==]},  -- page_break
  {"openxml", [==[<w:p><w:r><w:br w:type="page"/></w:r></w:p>]==]},  -- page_break
  {"typst", [==[#outline(title: [目录], depth: 2)]==]},  -- contents
  {"openxml", [==[<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr><w:r><w:t>目录</w:t></w:r></w:p><w:p><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \o "1-2" \h \z \u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>（打开文件时更新目录；如未更新，请右键点击此处选择“更新域”）</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>]==]},  -- contents
  {"typst", [==[#block(breakable: false, width: 100%)[]==]},  -- keep_together
  {"typst", [==[#block(sticky: true, width: 100%)[]==]},  -- lead_in
  {"typst", [==[]]==]},  -- end_keep
  {"typst", [==[#show table: set text(size: 7.5pt)
#set table(inset: (x: 4pt, y: 2.6pt))]==]},  -- small_tables
  {"openxml", [==[<w:p><w:pPr><w:pStyle w:val="EvalkitSmallTables"/></w:pPr></w:p>]==]},  -- small_tables
  {"typst", [==[#show table: set text(size: 9pt)
#set table(inset: 5pt)]==]},  -- normal_tables
  {"openxml", [==[<w:p><w:pPr><w:pStyle w:val="EvalkitNormalTables"/></w:pPr></w:p>]==]},  -- normal_tables
}

local function is_layout(raw)
  local text = raw.text:gsub("^%s+", ""):gsub("%s+$", "")
  for _, allowed in ipairs(LAYOUT) do
    if raw.format == allowed[1] and text == allowed[2] then
      return true
    end
  end
  return false
end

local function is_own_image(image)
  local mime = pandoc.mediabag.lookup(image.src)
  return mime == "image/png"
end

-- Links only to the web or within the report: a javascript:, file: or data: link shows its text.
local function is_safe_target(target)
  return target:match("^https?://") or target:match("^#") or not target:match("^%a[%w+.-]*:")
end

local literal = {
  Link = function(link)
    if not is_safe_target(link.target) then
      return pandoc.Span(link.content)
    end
  end,
  RawInline = function(raw) return pandoc.Code(raw.text) end,
  RawBlock = function(raw)
    if is_layout(raw) then
      return raw
    end
    return pandoc.CodeBlock(raw.text)
  end,
  Image = function(image)
    if not is_own_image(image) then
      return pandoc.Span(image.caption)
    end
  end,
}

-- Pass 1. Markdown outputs (IPython.display.Markdown) arrive as raw Markdown: parse them into
-- content. Wrapped in a Div: inside an ipynb output, a returned block list keeps only its first
-- block. Other raw output blocks (text/html, LaTeX …) are shown as text. Readers see results, not
-- code: the source block of each code cell is dropped; outputs are nested in `.output` divs.
local parse = {
  RawBlock = function(raw)
    if raw.format == "markdown" then
      return pandoc.Div(pandoc.read(raw.text, "markdown").blocks):walk(literal)
    end
    return pandoc.CodeBlock(raw.text)
  end,
  RawInline = function(raw) return pandoc.Code(raw.text) end,
  Image = function(image) return literal.Image(image) end,
  Link = function(link) return literal.Link(link) end,
  Div = function(div)
    if div.classes:includes("cell") and div.classes:includes("code") then
      div.content = div.content:filter(function(block) return block.t ~= "CodeBlock" end)
      return div
    end
  end,
}

-- Pass 2. Unwrap the cell, output and parse Divs: the report's blocks sit at the top level, so page
-- breaks are allowed (Typst refuses them inside a block) and headings keep with what follows.
local unwrap = {
  Div = function(div)
    if div.attributes["custom-style"] == nil then
      return div.content
    end
  end,
}

return { parse, unwrap }
