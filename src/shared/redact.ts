// Removes bearer tokens, JWTs, client secrets and Authorization headers from text before it is logged.

const patterns: [RegExp, string][] = [
  [/(authorization\s*[:=]\s*)(bearer\s+)?[^\s,;"']+/gi, '$1$2[redacted]'],
  [/\bbearer\s+[A-Za-z0-9\-._~+/]+=*/gi, 'Bearer [redacted]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
  [/((?:client_secret|clientSecret|access_token|refresh_token|id_token|password|assertion|client_assertion)["']?\s*[:=]\s*["']?)[^\s&"',;}]+/gi, '$1[redacted]'],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, replacement] of patterns) out = out.replace(re, replacement);
  return out;
}
