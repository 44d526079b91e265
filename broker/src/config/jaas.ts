/*
 * The JAAS text of Kafka's `sasl.jaas.config` properties: exactly one login
 * module, as in
 *
 *   org.apache.kafka.common.security.plain.PlainLoginModule required
 *     user_alice="alice-secret" user_bob="bob-secret";
 *
 * Values here are passwords, so no error message quotes any part of the text.
 */

export const JAAS_FLAGS = ["required", "requisite", "sufficient", "optional"] as const;
export type JaasFlag = (typeof JAAS_FLAGS)[number];

export interface JaasLoginModule {
  loginModule: string;
  flag: JaasFlag;
  options: ReadonlyMap<string, string>;
}

export class JaasSyntaxError extends Error {
  override readonly name = "JaasSyntaxError";
}

type Token = { kind: "word" | "quoted"; text: string } | { kind: "=" | ";" };

/** Words are Java identifiers and dotted class names; values may also be "quoted" with \" and \\ escapes. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (/\s/.test(char)) {
      at++;
    } else if (text.startsWith("//", at)) {
      const end = text.indexOf("\n", at);
      at = end < 0 ? text.length : end + 1;
    } else if (text.startsWith("/*", at)) {
      const end = text.indexOf("*/", at + 2);
      if (end < 0) throw new JaasSyntaxError("unterminated /* comment");
      at = end + 2;
    } else if (char === "=" || char === ";") {
      tokens.push({ kind: char });
      at++;
    } else if (char === '"') {
      let value = "";
      at++;
      for (;;) {
        if (at >= text.length) throw new JaasSyntaxError("unterminated quoted value");
        const next = text[at++];
        if (next === '"') break;
        if (next === "\\") {
          if (at >= text.length) throw new JaasSyntaxError("unterminated quoted value");
          value += text[at++];
        } else value += next;
      }
      tokens.push({ kind: "quoted", text: value });
    } else {
      const match = /^[A-Za-z0-9_.$-]+/.exec(text.slice(at));
      if (!match) throw new JaasSyntaxError(`unexpected character at position ${at}`);
      tokens.push({ kind: "word", text: match[0] });
      at += match[0].length;
    }
  }
  return tokens;
}

/** Parses `LoginModuleClass flag [name=value ...];`; throws JaasSyntaxError. */
export function parseJaasConfig(text: string): JaasLoginModule {
  const tokens = tokenize(text);
  let at = 0;
  const next = () => tokens[at++];
  const loginModule = next();
  if (loginModule?.kind !== "word") throw new JaasSyntaxError("expected a login module class name");
  const flag = next();
  if (flag?.kind !== "word" || !(JAAS_FLAGS as readonly string[]).includes(flag.text))
    throw new JaasSyntaxError(`expected a control flag (${JAAS_FLAGS.join(", ")}) after the login module`);
  const options = new Map<string, string>();
  for (;;) {
    const token = next();
    if (token === undefined) throw new JaasSyntaxError("expected ';' at the end of the login module");
    if (token.kind === ";") break;
    if (token.kind !== "word") throw new JaasSyntaxError(`expected an option name (option ${options.size + 1})`);
    if (next()?.kind !== "=") throw new JaasSyntaxError(`expected '=' after option ${token.text}`);
    const value = next();
    if (value?.kind !== "word" && value?.kind !== "quoted") throw new JaasSyntaxError(`expected a value for option ${token.text}`);
    if (options.has(token.text)) throw new JaasSyntaxError(`option ${token.text} is given twice`);
    options.set(token.text, value.text);
  }
  if (at < tokens.length) throw new JaasSyntaxError("expected exactly one login module, found more text after the first ';'");
  return { loginModule: loginModule.text, flag: flag.text as JaasFlag, options };
}

/** The `user_<name>="<password>"` options: Kafka's way of listing the users a PLAIN server accepts. */
export function jaasUsers(module: JaasLoginModule): Map<string, string> {
  const users = new Map<string, string>();
  for (const [name, value] of module.options)
    if (name.startsWith("user_") && name.length > "user_".length) users.set(name.slice("user_".length), value);
  return users;
}
