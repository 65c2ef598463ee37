// Who is signed in: the Viewer query's answer, shared by every page, and sign-in and
// sign-out with the session cookie (the API requires Django's CSRF token for both).

import { useEffect, useState } from "preact/hooks";
import { forgetCsrfToken, gql } from "./api.js";

let viewer;
let loaded = null;
const listeners = new Set();

function publish(next) {
  viewer = next;
  for (const listener of listeners) listener(viewer);
}

export function loadViewer() {
  loaded = gql("Viewer").then((data) => {
    publish(data.viewer);
    return data.viewer;
  });
  return loaded;
}

// The signed-in person (null when anonymous; undefined until known).
export function useViewer() {
  const [current, setCurrent] = useState(viewer);
  useEffect(() => {
    listeners.add(setCurrent);
    if (!loaded) loadViewer().catch(() => publish(null));
    return () => listeners.delete(setCurrent);
  }, []);
  return current;
}

// {errors} as the API words them, or {} once signed in.
export async function signIn(username, password) {
  const data = await gql("SessionSignIn", { username, password });
  const errors = data.sessionSignIn.errors;
  if (errors.length) return { errors };
  forgetCsrfToken(); // Django rotates the token at sign-in
  await loadViewer();
  return {};
}

export async function signOut() {
  await gql("SessionSignOut");
  forgetCsrfToken();
  publish(null);
}
