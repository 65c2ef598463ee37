// Placeholder until this screen is built: shows the progress indicator.

import { html, Loading } from "../components.js";

export function Register() {
  return html`<${Loading} />`;
}

export function AccountConfirm() {
  return html`<${Loading} />`;
}

export function PasswordForgotten() {
  return html`<${Loading} />`;
}

export function PasswordResetConfirm() {
  return html`<${Loading} />`;
}

export function JoinUnit() {
  return html`<${Loading} />`;
}
