// Who is signed in: the Viewer query's answer, shared by every page, and sign-in and
// sign-out with the session cookie (the API requires Django's CSRF token for both).

import { useEffect, useState } from "preact/hooks";
import { forgetCsrfToken, gql } from "./api.js";

let viewer;
let loaded = null;
// The latest question of who is signed in: only its answer counts. The page's first
// Viewer query (anonymous) answered late, after a sign-in's own, must not sign the page
// out, nor a sign-in's answered after a sign-out sign it back in.
let asked = 0;
const listeners = new Set();

function publish(next) {
  viewer = next;
  for (const listener of listeners) listener(viewer);
}

// Asks who is signed in; `onFailure` runs when the latest question fails.
export function loadViewer(onFailure) {
  const round = ++asked;
  loaded = gql("Viewer").then(
    (data) => {
      if (round === asked) publish(data.viewer);
      return data.viewer;
    },
    (error) => {
      if (round === asked) onFailure?.();
      throw error;
    },
  );
  return loaded;
}

// The signed-in person (null when anonymous; undefined until known).
export function useViewer() {
  const [current, setCurrent] = useState(viewer);
  useEffect(() => {
    listeners.add(setCurrent);
    if (!loaded) loadViewer(() => publish(null)).catch(() => {});
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
  asked += 1; // an answer still on its way is from before
  publish(null);
}
