// The agent's token: kept in sessionStorage (this tab only, gone when it closes), never in a URL.
// Its claims are readable without the secret (base64url JSON before the dot); the API checks the
// signature, the console only shows who is signed in and which desks they work.

const KEY = "polyglot-desk.agent-token";
export const ALL_REGIONS = ["na", "latam", "emea", "apac", "global"];

function decodeBase64Url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (character) => character.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

// {name, regions, languages, expiresAt (ms)} or null when the token is not an agent token.
export function readClaims(token) {
  const parts = typeof token === "string" ? token.trim().split(".") : [];
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  try {
    const claims = JSON.parse(decodeBase64Url(parts[0]));
    if (typeof claims.sub !== "string" || !Array.isArray(claims.regions) || typeof claims.exp !== "number") {
      return null;
    }
    return {
      name: claims.sub,
      regions: claims.regions.map(String),
      languages: Array.isArray(claims.languages) ? claims.languages.map(String) : [],
      expiresAt: claims.exp * 1000,
    };
  } catch {
    return null;
  }
}

// The desks an agent may open: theirs, or every region for a global agent.
export function deskRegions(claims) {
  if (!claims) return [];
  if (claims.regions.includes("global")) return ALL_REGIONS;
  return ALL_REGIONS.filter((region) => claims.regions.includes(region));
}

export function storedToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token) {
  sessionStorage.setItem(KEY, token.trim());
}

export function forgetToken() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}

export function currentSession() {
  const token = storedToken();
  const claims = token ? readClaims(token) : null;
  if (!claims || claims.expiresAt <= Date.now()) return null;
  return { token, claims };
}
