-- Pandoc filter for an executed evalkit notebook read with `--from ipynb` (pandoc engine).

-- Pass 1. Markdown outputs (IPython.display.Markdown) arrive as raw Markdown: parse them into
-- content. Wrapped in a Div: inside an ipynb output, a returned block list keeps only its first block.
-- Readers see results, not code: drop the source block of each code cell.
local parse = {
  RawBlock = function(raw)
    if raw.format == "markdown" then
      return pandoc.Div(pandoc.read(raw.text, "markdown").blocks)
    end
  end,
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
