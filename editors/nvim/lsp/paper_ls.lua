-- paper-ls for Neovim 0.11+: put this folder on 'runtimepath', then `vim.lsp.enable('paper_ls')`.
-- Settings (index, bibliography, citationCommands, maxItems, searchAbstracts,
-- readOutsideWorkspace) go under
-- `settings = { ['paper-ls'] = { ... } }`; see editors/nvim/README.md.

local root_markers = { '.git', 'latexmkrc', '.latexmkrc', '_quarto.yml' }

--- The folder of a LaTeX main file (one with \documentclass) in `dir` or its parent, as the
--- server looks for it; nil if there is none.
local function main_tex_dir(dir)
  for _, d in ipairs({ dir, vim.fs.dirname(dir) }) do
    for name, kind in vim.fs.dir(d) do
      if kind == 'file' and name:match('%.tex$') then
        local file = io.open(vim.fs.joinpath(d, name))
        local head = file and file:read(8192) or ''
        if file then
          file:close()
        end
        if head:find('\\documentclass', 1, true) then
          return d
        end
      end
    end
  end
end

return {
  cmd = { 'paper-ls', 'serve' },
  filetypes = { 'tex', 'plaintex', 'bib', 'markdown', 'quarto', 'rmd' },
  root_markers = root_markers,
  -- A marker wins; a LaTeX project without one gets its main file's folder as the root (so a
  -- relative `bibliography` setting means the same from every chapter); else single-file mode.
  root_dir = function(bufnr, on_dir)
    local name = vim.api.nvim_buf_get_name(bufnr)
    local root = vim.fs.root(bufnr, root_markers)
    if not root and name ~= '' then
      root = main_tex_dir(vim.fs.dirname(name))
    end
    on_dir(root)
  end,
  settings = { ['paper-ls'] = {} },
}
