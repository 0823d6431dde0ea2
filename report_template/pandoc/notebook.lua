-- Pandoc filter for an executed evalkit notebook read with `--from ipynb` (pandoc engine).

-- Markdown outputs (IPython.display.Markdown) arrive as raw Markdown: parse them into content.
-- Wrapped in a Div: inside an ipynb output, a returned block list keeps only its first block.
function RawBlock(raw)
  if raw.format == "markdown" then
    return pandoc.Div(pandoc.read(raw.text, "markdown").blocks)
  end
end

-- Readers see results, not code: drop the source block of each code cell; outputs are nested
-- in `.output` divs and stay.
function Div(div)
  if div.classes:includes("cell") and div.classes:includes("code") then
    div.content = div.content:filter(function(block) return block.t ~= "CodeBlock" end)
    return div
  end
end
