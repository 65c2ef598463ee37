// Placeholder until this screen is built: shows the progress indicator.

import { html, Loading } from "../components.js";

export function Settings() {
  return html`<${Loading} />`;
}
