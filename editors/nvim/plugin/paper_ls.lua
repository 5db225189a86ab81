-- :PaperInsertBibtex [key]  add the index's BibTeX entry for the key under the cursor
-- :PaperSearch {query}      search the index, pick a paper, cite it at the cursor
if vim.g.loaded_paper_ls or vim.fn.has('nvim-0.11') == 0 then
  return
end
vim.g.loaded_paper_ls = true

local MARKDOWN = { markdown = true, quarto = true, rmd = true }
local KEY_CHAR = '[^%s{}%[%],;@\\%%"#\'()=~]'

local function notify(msg, level)
  vim.notify('paper-ls: ' .. msg, level or vim.log.levels.INFO)
end

local function client_of(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = 'paper_ls' })[1]
end

local function key_under_cursor()
  local line = vim.api.nvim_get_current_line()
  local col = vim.api.nvim_win_get_cursor(0)[2] + 1
  local s, e = col, col - 1
  while s > 1 and line:sub(s - 1, s - 1):match(KEY_CHAR) do
    s = s - 1
  end
  while e < #line and line:sub(e + 1, e + 1):match(KEY_CHAR) do
    e = e + 1
  end
  return (line:sub(s, e):gsub('[.:]+$', ''))
end

--- Runs the server's `paper-ls.insertBibtex(key, documentUri)`; the entry arrives as a
--- workspace edit in the bibliography's buffer (write it with :wall).
local function insert_bibtex(client, bufnr, key)
  local command = {
    title = 'Add BibTeX entry for ' .. key,
    command = 'paper-ls.insertBibtex',
    arguments = { key, vim.uri_from_bufnr(bufnr) },
  }
  client:exec_cmd(command, { bufnr = bufnr }, function(err, result)
    if err then
      notify(err.message, vim.log.levels.WARN)
    elseif result and result.added then
      notify(('added %s to %s'):format(result.key, vim.fs.basename(result.file)))
    else
      notify(result and result.reason or 'nothing added')
    end
  end)
end

vim.api.nvim_create_user_command('PaperInsertBibtex', function(opts)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_of(bufnr)
  local key = opts.args ~= '' and opts.args or key_under_cursor()
  if not client then
    return notify('no paper_ls client in this buffer', vim.log.levels.WARN)
  elseif key == '' then
    return notify('no citation key under the cursor', vim.log.levels.WARN)
  end
  insert_bibtex(client, bufnr, key)
end, { nargs = '?', desc = 'Add the BibTeX entry of the key under the cursor' })

--- How `key` is cited at the end of `before` (the line up to the cursor).
local function citation(filetype, before, key)
  if MARKDOWN[filetype] then
    if before:match('@$') then
      return key
    elseif before:match('%[[^%]]*@[^%]]*$') then -- inside [@a; ...
      return (before:match('[;%[]%s*$') and '@' or '; @') .. key
    end
    return '[@' .. key .. ']'
  elseif filetype == 'tex' or filetype == 'plaintex' then
    local command = before:match('\\(%a+)%*?[^\\{}]*{[^{}]*$') -- the open brace's command
    if command and command:lower():find('cite') then
      return (before:match('[{,]%s*$') and '' or ', ') .. key
    end
    return '\\cite{' .. key .. '}'
  end
  return key
end

--- The server's command line without `serve ...`, so searches use the same executable.
local function cli(client)
  local cmd = client and type(client.config.cmd) == 'table' and client.config.cmd or {}
  local args = {}
  for _, arg in ipairs(cmd) do
    if arg == 'serve' then
      return args
    end
    args[#args + 1] = arg
  end
  return { 'paper-ls' }
end

vim.api.nvim_create_user_command('PaperSearch', function(opts)
  local bufnr, win = vim.api.nvim_get_current_buf(), vim.api.nvim_get_current_win()
  local row, col = unpack(vim.api.nvim_win_get_cursor(win))
  if vim.api.nvim_get_mode().mode == 'n' then -- cite after the character under the cursor, as `a`
    col = col + #vim.fn.strcharpart(vim.api.nvim_get_current_line():sub(col + 1), 0, 1)
  end
  local client = client_of(bufnr)
  local args = vim.list_extend(cli(client), { 'search', '--json', '-n', '30' })
  local index = client
    and (
      vim.tbl_get(client.settings or {}, 'paper-ls', 'index')
      or vim.tbl_get(client.config.init_options or {}, 'paper-ls', 'index')
    )
  if index then
    vim.list_extend(args, { '--index', index })
  end
  table.insert(args, opts.args)
  vim.system(args, { text = true }, vim.schedule_wrap(function(done)
    local ok, hits = pcall(vim.json.decode, done.stdout or '')
    if done.code ~= 0 or not ok then
      return notify(vim.trim(done.stderr or '') ~= '' and vim.trim(done.stderr) or 'search failed',
        vim.log.levels.ERROR)
    elseif #hits == 0 then
      return notify('no papers match ' .. opts.args)
    end
    vim.ui.select(hits, {
      prompt = 'Cite',
      format_item = function(hit)
        local first = hit.authors[1] and hit.authors[1].family or ''
        return ('%s  %s  %s: %s'):format(hit.key, hit.year or '', first, hit.title)
      end,
    }, function(hit)
      if not hit or not vim.api.nvim_buf_is_valid(bufnr) then
        return
      end
      local line = vim.api.nvim_buf_get_lines(bufnr, row - 1, row, true)[1]
      local text = citation(vim.bo[bufnr].filetype, line:sub(1, col), hit.key)
      vim.api.nvim_buf_set_text(bufnr, row - 1, col, row - 1, col, { text })
      if vim.api.nvim_win_is_valid(win) and vim.api.nvim_win_get_buf(win) == bufnr then
        vim.api.nvim_win_set_cursor(win, { row, col + #text - 1 })
      end
      if client then
        insert_bibtex(client, bufnr, hit.key) -- the server adds nothing twice
      end
    end)
  end))
end, { nargs = '+', desc = 'Search the paper index and cite the chosen paper' })
