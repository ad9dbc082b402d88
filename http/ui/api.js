// The dashboard's calls to the logbase API, with the token of this tab.

const TOKEN_KEY = "logbase.token";

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function rememberToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// What the page does when the server wants a (different) token.
export const onUnauthorized = { ask: () => {} };

export async function api(method, path, body, headers) {
  const h = Object.assign({}, headers || {});
  if (token()) h["Authorization"] = "Bearer " + token();
  if (body !== undefined) h["Content-Type"] = "application/json";
  const res = await fetch(path, {
    method, headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  if (res.status === 401) {
    onUnauthorized.ask(token() ? "The server does not accept that token." : "");
    throw new ApiError(401, "unauthorized", "a token is needed");
  }
  if (!res.ok) {
    throw new ApiError(res.status, (data && data.error) || "http_" + res.status,
                       (data && data.message) || res.statusText);
  }
  return data;
}
