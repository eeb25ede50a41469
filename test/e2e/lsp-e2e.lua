-- Drives the Prisma Migration Guard language server from a real Neovim (0.7+), headless.
--
--   nvim --headless -u NONE -i NONE -n -c "luafile test/e2e/lsp-e2e.lua" -- FILE
--
-- Environment:
--   LSP_CMD_JSON  the server command as a JSON array, e.g. ["node","out/server/src/lsp/server.js","--stdio"]
--   LSP_ROOT      the workspace folder (default: the file's folder)
--   LSP_RULE      rule id whose code actions are listed (default add-required-column)
--   LSP_ACTION    title prefix of the action to apply (default: the preferred one)
--   LSP_WAIT_MS   how long to wait for each round of diagnostics (default 20000)
--   LSP_SETTINGS_JSON  client settings, answered to workspace/configuration (e.g. {"migrationGuard":{"deployed":"all"}})
--
-- Prints DIAG lines (first diagnostics), ACTION lines, LINE lines (the buffer after
-- the edit), AFTER lines (diagnostics once the server saw the edit), MSG lines
-- (window/showMessage), then DONE. Exits 1 with a FAIL line on any failure.

local function out(s) io.stdout:write(s .. '\n') end
local function fail(msg)
  out('FAIL ' .. msg)
  vim.cmd('cquit 1')
end

local wait_ms = tonumber(os.getenv('LSP_WAIT_MS') or '20000')
local rule = os.getenv('LSP_RULE') or 'add-required-column'
local wanted_action = os.getenv('LSP_ACTION')
local file = vim.fn.fnamemodify(vim.fn.argv(0), ':p')
local root = os.getenv('LSP_ROOT') or vim.fn.fnamemodify(file, ':h')
local ok_cmd, cmd = pcall(vim.fn.json_decode, os.getenv('LSP_CMD_JSON') or '')
if not ok_cmd or type(cmd) ~= 'table' then return fail('LSP_CMD_JSON must be a JSON array') end
local settings = {}
if os.getenv('LSP_SETTINGS_JSON') then
  local ok_settings, decoded = pcall(vim.fn.json_decode, os.getenv('LSP_SETTINGS_JSON'))
  if not ok_settings then return fail('LSP_SETTINGS_JSON is not JSON') end
  settings = decoded
end

vim.cmd('edit ' .. vim.fn.fnameescape(file))
vim.bo.filetype = 'prisma'
local bufnr = vim.api.nvim_get_current_buf()

local messages = {}
local client_id = vim.lsp.start_client({
  name = 'prisma-migration-guard',
  cmd = cmd,
  root_dir = root,
  init_options = { debounceMs = 50 },
  settings = settings,
  handlers = {
    ['window/showMessage'] = function(_, result)
      table.insert(messages, result.message)
    end,
  },
  on_exit = function(code)
    if code ~= 0 then out('SERVER EXIT ' .. code) end
  end,
})
if not client_id then return fail('start_client returned nil') end
vim.lsp.buf_attach_client(bufnr, client_id)

local function code_of(d)
  if d.code ~= nil then return d.code end
  return d.user_data and d.user_data.lsp and d.user_data.lsp.code
end

local function describe(d)
  return string.format('%d:%d-%d:%d severity=%d code=%s source=%s', d.lnum, d.col, d.end_lnum, d.end_col, d.severity, tostring(code_of(d)), tostring(d.source))
end

local function sorted(diags)
  local copy = vim.deepcopy(diags)
  table.sort(copy, function(a, b)
    if a.lnum ~= b.lnum then return a.lnum < b.lnum end
    if a.col ~= b.col then return a.col < b.col end
    return tostring(code_of(a)) < tostring(code_of(b))
  end)
  return copy
end

-- 1. diagnostics, published asynchronously; wait until they stop changing.
local function settled(previous_key)
  local key = previous_key
  local stable_since = vim.loop.now()
  local ok = vim.wait(wait_ms, function()
    local diags = vim.diagnostic.get(bufnr)
    local now_key = table.concat(vim.tbl_map(describe, sorted(diags)), '|')
    if #diags > 0 and now_key ~= previous_key then
      if now_key ~= key then
        key = now_key
        stable_since = vim.loop.now()
      elseif vim.loop.now() - stable_since > 400 then
        return true
      end
    end
    return false
  end, 50)
  return ok, key
end

local ok, first_key = settled(nil)
if not ok then return fail('no diagnostics in time') end
local diags = sorted(vim.diagnostic.get(bufnr))
for _, d in ipairs(diags) do out('DIAG ' .. describe(d)) end

-- 2. code actions for the chosen rule's diagnostic, sent back with its data as the LSP client would.
local target
for _, d in ipairs(diags) do
  if code_of(d) == rule then target = d break end
end
if not target then return fail('no diagnostic for ' .. rule) end
local lsp = (target.user_data and target.user_data.lsp) or {}
local range = { start = { line = target.lnum, character = target.col }, ['end'] = { line = target.end_lnum, character = target.end_col } }
local diagnostic = {
  range = range, severity = target.severity, message = target.message, source = target.source,
  code = code_of(target), codeDescription = lsp.codeDescription, relatedInformation = lsp.relatedInformation, data = lsp.data,
}
if diagnostic.data == nil then return fail('the diagnostic lost its data (client too old?)') end
local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr), range = range, context = { diagnostics = { diagnostic } } }
local responses, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 10000)
if not responses then return fail('codeAction request failed: ' .. tostring(err)) end
local actions = {}
for _, resp in pairs(responses) do
  if resp.error then return fail('codeAction error: ' .. vim.inspect(resp.error)) end
  for _, a in ipairs(resp.result or {}) do
    table.insert(actions, a)
    out('ACTION ' .. a.title .. ' kind=' .. tostring(a.kind) .. ' preferred=' .. tostring(a.isPreferred == true))
  end
end
if #actions == 0 then return fail('no code actions') end

local chosen
for _, a in ipairs(actions) do
  if (wanted_action and vim.startswith(a.title, wanted_action)) or (not wanted_action and a.isPreferred) then chosen = a break end
end
if not chosen then return fail('no action matching ' .. tostring(wanted_action)) end
if not chosen.edit then return fail('the chosen action has no edit') end

-- 3. apply it as Neovim's own code-action UI does, and show the buffer.
vim.lsp.util.apply_workspace_edit(chosen.edit, 'utf-16')
for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do out(string.format('LINE %d: %s', i, l)) end

-- 4. the server sees the edit (didChange) and republishes.
local ok_after = settled(first_key)
if not ok_after then return fail('diagnostics did not change after the edit') end
for _, d in ipairs(sorted(vim.diagnostic.get(bufnr))) do out('AFTER ' .. describe(d)) end

-- 5. a server command: the phased migration for the same diagnostic (written, or refused with the reason).
for _, a in ipairs(actions) do
  if a.command and a.command.command == 'migrationGuard.generatePhasedMigration' then
    local client = vim.lsp.get_client_by_id(client_id)
    local reply = client.request_sync('workspace/executeCommand', { command = a.command.command, arguments = a.command.arguments }, 10000, bufnr)
    if not reply or reply.err then return fail('executeCommand failed: ' .. vim.inspect(reply)) end
    break
  end
end
vim.wait(5000, function() return #messages > 0 end, 50)
for _, m in ipairs(messages) do out('MSG ' .. m) end

out('DONE')
vim.lsp.stop_client(client_id)
vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
vim.cmd('qall!')
