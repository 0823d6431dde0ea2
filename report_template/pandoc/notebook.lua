-- Pandoc filter for an executed evalkit notebook read with `--from ipynb` (pandoc engine).

-- Defence in depth behind evalkit.report.markup (which escapes all user text): whatever a
-- notebook output holds, it reaches the report as text. Raw HTML/typst/OpenXML/LaTeX shows as
-- its literal text, and an image shows only if it is one of the notebook's own outputs (a chart
-- in pandoc's media bag); any other image becomes its description, so that nothing a path or URL
-- names is fetched or embedded (--embed-resources, docx media, typst). Links go to the web only.
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
  RawBlock = function(raw) return pandoc.CodeBlock(raw.text) end,
  Image = function(image)
    if not is_own_image(image) then
      return pandoc.Span(image.caption)
    end
  end,
}

-- Markdown outputs (IPython.display.Markdown) arrive as raw Markdown: parse them into content.
-- Wrapped in a Div: inside an ipynb output, a returned block list keeps only its first block.
-- Other raw output blocks (text/html, LaTeX …) are shown as text.
function RawBlock(raw)
  if raw.format == "markdown" then
    return pandoc.Div(pandoc.read(raw.text, "markdown").blocks):walk(literal)
  end
  return pandoc.CodeBlock(raw.text)
end

function RawInline(raw)
  return pandoc.Code(raw.text)
end

function Image(image)
  return literal.Image(image)
end

function Link(link)
  return literal.Link(link)
end

-- Readers see results, not code: drop the source block of each code cell; outputs are nested
-- in `.output` divs and stay.
function Div(div)
  if div.classes:includes("cell") and div.classes:includes("code") then
    div.content = div.content:filter(function(block) return block.t ~= "CodeBlock" end)
    return div
  end
end
