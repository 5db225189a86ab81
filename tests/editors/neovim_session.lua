-- A writer's session in real Neovim, driven by tests/editors/test_neovim.py.
--
-- The shipped client is installed as a package (see the test's --cmd), configured the way the
-- README says, and used through Neovim's own completion menu, hover and user commands. Every
-- observation goes to $PAPER_LS_TEST_OUT as JSON; the Python test asserts on it. Each step
-- waits at most 10 s, and an error or a timeout is written there too.
local env = vim.env
local project = env.PAPER_LS_TEST_PROJECT
local out = { requests = {}, notifications = {} }

-- The user's configuration, as in editors/nvim/README.md.
vim.o.completeopt = 'menuone,noselect,popup'
vim.lsp.config('paper_ls', {
  cmd = vim.list_extend(vim.json.decode(env.PAPER_LS_TEST_COMMAND), { 'serve' }),
  settings = { ['paper-ls'] = { index = env.PAPER_LS_TEST_INDEX } },
})
vim.lsp.enable('paper_ls')
vim.api.nvim_create_autocmd('LspAttach', {
  callback = function(args)
    local client = assert(vim.lsp.get_client_by_id(args.data.client_id))
    if client.name == 'paper_ls' then
      client.server_capabilities.completionProvider.resolveProvider = false
    end
    if client:supports_method('textDocument/completion') then
      vim.lsp.completion.enable(true, client.id, args.buf, { autotrigger = true })
    end
  end,
})

-- What Neovim sends the server, and what it tells the user.
vim.api.nvim_create_autocmd('LspRequest', {
  callback = function(args)
    if args.data.request.type == 'pending' then
      table.insert(out.requests, args.data.request.method)
    end
  end,
})
vim.notify = function(msg)
  table.insert(out.notifications, msg)
end

local co = nil

--- Lets Neovim run (keys, LSP messages) until `cond()` is truthy; returns its value.
local function wait(what, cond, ms)
  local deadline = vim.uv.hrtime() + (ms or 10000) * 1e6
  while true do
    local value = cond()
    if value then
      return value
    end
    if vim.uv.hrtime() > deadline then
      error('timed out waiting for ' .. what, 0)
    end
    vim.defer_fn(function()
      assert(coroutine.resume(co))
    end, 20)
    coroutine.yield()
  end
end

local function feed(keys)
  vim.api.nvim_feedkeys(vim.keycode(keys), 'nt', false)
end

local function mode_is(m)
  return function()
    return vim.api.nvim_get_mode().mode == m
  end
end

local function buffer_text(path)
  local bufnr = vim.fn.bufnr(path)
  if bufnr == -1 or not vim.api.nvim_buf_is_loaded(bufnr) then
    return nil
  end
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end

local function has_entry(path, key)
  return function()
    local text = buffer_text(path)
    return text and text:find('{' .. key .. ',', 1, true) ~= nil
  end
end

--- The completion menu as Neovim shows it, once it answers for `query`.
local function menu_for(query)
  return wait('the completion menu for ' .. query, function()
    local info = vim.fn.complete_info({ 'pum_visible', 'items' })
    local first = info.items[1]
    local item = first and first.user_data.nvim.lsp.completion_item
    if info.pum_visible ~= 1 or not item or item.filterText ~= query then
      return nil
    end
    return vim.tbl_map(function(shown)
      local lsp_item = shown.user_data.nvim.lsp.completion_item
      return {
        abbr = shown.abbr,
        word = shown.word,
        menu = shown.menu,
        sortText = lsp_item.sortText,
        command = lsp_item.command and lsp_item.command.command or vim.NIL,
      }
    end, info.items)
  end)
end

--- The server's own answer at the cursor, labels in its sortText order.
local function server_labels(client)
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local response = assert(client:request_sync('textDocument/completion', params, 5000, 0))
  local items = assert(response.result).items
  table.sort(items, function(a, b)
    return a.sortText < b.sortText
  end)
  return vim.tbl_map(function(item)
    return item.label
  end, items)
end

--- Hover as the user gets it, with `K` (mapped by Neovim on attach): the floating window's
--- text. From a key, Neovim's CursorMoved for the cursor placed before comes first, and does
--- not close the window as it opens.
local function hover_text()
  vim.api.nvim_feedkeys('K', 'mt', false)
  local win = wait('the hover window', function()
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(w).relative ~= '' then
        return w
      end
    end
  end)
  local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false)
  vim.api.nvim_win_close(win, true)
  return table.concat(lines, '\n')
end

local function attached()
  return wait('paper_ls to attach', function()
    local client = vim.lsp.get_clients({ bufnr = 0, name = 'paper_ls' })[1]
    return client and client.initialized and client
  end)
end

local function main()
  local refs = project .. '/refs.bib'
  local notes_bib = project .. '/notes.bib'

  -- 1. LaTeX: the cursor after `\cite{attention` (line 3), completion asked for as <C-Space> would.
  vim.cmd.edit(project .. '/main.tex')
  local client = attached()
  out.client = {
    filetype = vim.bo.filetype,
    root_dir = client.root_dir or vim.NIL,
    commands = vim.tbl_get(client.server_capabilities, 'executeCommandProvider', 'commands'),
  }
  local tex = {}
  out.tex = tex
  local row, line = 3, vim.fn.getline(3)
  local col = select(2, line:find('\\cite{attention', 1, true))
  vim.api.nvim_win_set_cursor(0, { row, col })
  tex.server = server_labels(client) -- asked with the cursor on the `}`, after the query
  feed('i<Cmd>lua vim.lsp.completion.get()<CR>')
  tex.menu = menu_for('attention')
  feed('<C-n><C-y>') -- select the first item, accept it
  wait('the entry in refs.bib', has_entry(refs, 'vaswani2017attention'))
  tex.line = vim.fn.getline(row)
  feed('<Esc>')
  wait('Normal mode', mode_is('n'))
  vim.api.nvim_win_set_cursor(0, { row, col - 2 })
  tex.hover = hover_text()

  -- 2. Markdown: typed as a person types, completion popping up by itself on `@`.
  vim.cmd.edit(project .. '/notes.md')
  attached()
  local md = {}
  out.markdown = md
  row = vim.api.nvim_buf_line_count(0)
  vim.api.nvim_win_set_cursor(0, { row, 0 })
  feed('A [@attention')
  md.menu = menu_for('attention')
  feed('<C-n><C-y>].<Esc>') -- accept and type on at once: the entry must still come
  wait('Normal mode', mode_is('n'))
  wait('the entry in notes.bib', has_entry(notes_bib, 'vaswani2017attention'))
  md.line = vim.fn.getline(row)
  vim.api.nvim_win_set_cursor(0, { row, #'See [@vas' })
  md.hover = hover_text()

  -- 3. :PaperSearch, the choice made in vim.ui.select.
  local search = {}
  out.search = search
  vim.api.nvim_buf_set_lines(0, -1, -1, true, { 'Deep nets ' })
  row = vim.api.nvim_buf_line_count(0)
  vim.api.nvim_win_set_cursor(0, { row, #'Deep nets' })
  vim.ui.select = function(items, opts, on_choice)
    search.offered = vim.tbl_map(opts.format_item, items)
    on_choice(items[1])
  end
  vim.cmd('PaperSearch residual learning')
  wait('the entry in notes.bib', has_entry(notes_bib, 'heDeepResidualLearning2016'))
  search.line = vim.fn.getline(row)

  -- 4. :PaperInsertBibtex on a key typed by hand.
  vim.cmd.edit(project .. '/main.tex')
  vim.api.nvim_buf_set_lines(0, 3, 3, true, { 'Also \\cite{hochreiter1997long}.' })
  vim.api.nvim_win_set_cursor(0, { 4, #'Also \\cite{hoch' })
  vim.cmd('PaperInsertBibtex')
  wait('the entry in refs.bib', has_entry(refs, 'hochreiter1997long'))
  wait('the message', function()
    return vim.tbl_contains(out.notifications, 'paper-ls: added hochreiter1997long to refs.bib')
  end)

  vim.cmd('silent wall')
end

co = coroutine.create(function()
  local ok, err = xpcall(main, debug.traceback)
  out.error = not ok and err or vim.NIL
  local file = assert(io.open(env.PAPER_LS_TEST_OUT, 'w'))
  file:write(vim.json.encode(out))
  file:close()
  vim.cmd('qall!')
end)
vim.schedule(function()
  assert(coroutine.resume(co))
end)
