// Event times as the server writes them (RFC 3339, UTC, up to nanoseconds).

// happenedAt as a sortable key: fractions padded to nanoseconds.
export function instantKey(text) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(text);
  if (!m) return text;
  return m[1] + "." + (m[2] || "").padEnd(9, "0");
}

export function eventKey(e) {
  return instantKey(e.happenedAt) + "|" + e.type;
}

export function showInstant(text) {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(text);
  if (!m) return text;
  return m[1] + " " + m[2] + "." + (m[3] || "").padEnd(3, "0").slice(0, 3);
}
