// Decide a tool call against the policy: allow | deny | ask, and the rule that decided.
// deny beats ask beats allow; built-in rules (outside the workspace, protected paths, unknown words,
// code-carrying commands, unknown connections, read-only connections) cannot be overridden by user
// rules. Pure: commands and SQL arrive already read by real parsers (judge/). The pieces live in
// core/policy/ (one file per subject) and the tools in core/tools/; this is their one entrance.
export { policyRule, mcpServerSpec, MCP_SERVER_NAME, policySpec } from './policy/spec.js';
export type {
  PolicyAction,
  PolicyRule,
  McpServerSpec,
  Policy,
  PolicyContext,
  SqlKind,
  SqlDialect,
  SqlStatement,
  SqlFacts,
  JudgeFacts,
  PolicyReason,
  PolicyDecision,
} from './policy/spec.js';
export { everyReason } from './policy/rules.js';
export { normalizePath, resolveToolPath, isInside, isGitPath, guardPath } from './policy/paths.js';
export { normalizeHost, hostPattern, namesHostExactly, judgeHost, type HostPattern } from './policy/hosts.js';
export { MCP_TOOL } from './policy/mcp.js';
export { judgeSubject, type Subject } from './policy/subject.js';
export {
  builtinToolCall,
  mcpToolCall,
  toolCall,
  isMcpCall,
  evaluatePolicy,
  callShape,
  findTool,
  parseToolCall,
  TOOLS,
  BUILTIN_TOOLS,
  TOOL_DESCRIPTIONS,
} from './tools/index.js';
export type { BuiltinToolCall, McpToolCall, ToolCall, ToolCatalogue } from './tools/index.js';
