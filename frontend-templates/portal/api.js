// The portal's only way to the hub: GraphQL over HTTP, with the operations kept in the
// hub's graphql/operations/*.graphql, sent by their hash (persisted operations). The hub
// publishes the names and hashes at /graphql/operations.json; nothing else of the hub is
// known here. A cooperative hosting these files elsewhere sets <meta name="hub-url">.

import { currentLanguage } from "./i18n.js";

const HUB = (document.querySelector('meta[name="hub-url"]')?.content || "").replace(/\/$/, "");

export class NetworkError extends Error {}

// A GraphQL error the API sent (the typed `extensions.code`), as opposed to a refused
// operation's own `errors` list, which callers read from the data.
export class ApiError extends Error {
  constructor(errors) {
    super(errors.map((error) => error.message).join(" "));
    this.errors = errors;
    this.code = errors[0]?.extensions?.code;
  }
}

let manifest = null;
let csrfToken = null;

async function operationHashes() {
  if (!manifest) {
    manifest = fetchWithRetry(`${HUB}/graphql/operations.json`, { credentials: "include" })
      .then((response) => response.json())
      .catch((error) => {
        manifest = null; // try again next time
        throw error;
      });
  }
  return manifest;
}

const listeners = new Set();
// The layout shows "no connection, retrying" while a request is being retried.
export function onConnectionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function connection(state) {
  for (const listener of listeners) listener(state);
}

async function fetchWithRetry(url, options, attempts = 4) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await fetch(url, options);
      if (response.status >= 500 && attempt < attempts) throw new NetworkError(String(response.status));
      connection("online");
      return response;
    } catch (error) {
      if (attempt >= attempts) {
        connection("offline");
        throw new NetworkError(error.message);
      }
      connection("retrying");
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    }
  }
}

function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

// Django's CSRF token: the API requires it on every POST that carries the session cookie.
// The cookie is the truth (Django rotates it at sign-in); asked for once when missing,
// however many requests a page starts at the same moment.
let csrfRequest = null;
async function csrf() {
  const fromCookie = cookie("csrftoken");
  if (fromCookie) return fromCookie;
  if (csrfToken) return csrfToken;
  csrfRequest ||= request("CsrfToken", {}, { skipCsrf: true })
    .then((data) => (csrfToken = cookie("csrftoken") || data.csrfToken))
    .finally(() => {
      csrfRequest = null;
    });
  return csrfRequest;
}

export function forgetCsrfToken() {
  csrfToken = null;
}

async function request(operationName, variables, { skipCsrf = false, files = null, retried = false } = {}) {
  const hashes = await operationHashes();
  const hash = hashes[operationName];
  if (!hash) throw new Error(`Unknown operation ${operationName}`);
  const payload = {
    operationName,
    variables,
    extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
  };
  // Labels the API translates (statuses, kinds of message) in the portal's language.
  const headers = { "Accept-Language": currentLanguage() };
  if (!skipCsrf) headers["X-CSRFToken"] = await csrf();
  let body;
  if (files) {
    // The GraphQL multipart request spec: operations, map, then the files.
    body = new FormData();
    body.append("operations", JSON.stringify(payload));
    const map = {};
    files.forEach(({ path }, index) => (map[index] = [path]));
    body.append("map", JSON.stringify(map));
    files.forEach(({ file }, index) => body.append(String(index), file));
  } else {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(payload);
  }
  const response = await fetchWithRetry(`${HUB}/graphql`, { method: "POST", headers, body, credentials: "include" });
  if (response.status === 403) {
    forgetCsrfToken();
    throw new ApiError([{ message: "CSRF", extensions: { code: "FORBIDDEN" } }]);
  }
  const answer = await response.json();
  if (answer.errors?.[0]?.extensions?.code === "PERSISTED_QUERY_NOT_FOUND" && !retried) {
    // The hub was updated since the list of operations was read: read it again, once.
    manifest = null;
    return request(operationName, variables, { skipCsrf, files, retried: true });
  }
  if (answer.errors?.length) throw new ApiError(answer.errors);
  return answer.data;
}

// Run a stored operation by name. `files`: [{path: "variables.photos.0", file}] for uploads.
export function gql(operationName, variables = {}, options = {}) {
  return request(operationName, variables, options);
}

// Field errors of a mutation's answer as {field: message}, for messages next to the fields.
export function fieldErrors(errors) {
  const byField = {};
  for (const error of errors || []) byField[error.field || "_"] = error.message;
  return byField;
}
