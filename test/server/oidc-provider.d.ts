// oidc-provider ships no types; the test uses its constructor and listen() only.
declare module "oidc-provider";
