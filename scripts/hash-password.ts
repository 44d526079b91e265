// `npm run hash-password`: reads a password (twice, not echoed, from a terminal; one line from a pipe)
// and prints its scrypt hash for a user's passwordHash in the configuration file.
import { createInterface } from "node:readline";
import { hashPassword } from "../server/auth/password";

async function readHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    const lines = createInterface({ input });
    for await (const line of lines) return line;
    return "";
  }
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  let value = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") {
          input.setRawMode(false);
          input.pause();
          input.off("data", onData);
          process.stderr.write("\n");
          return resolve(value);
        }
        if (ch === "\u0003") return reject(new Error("cancelled"));
        if (ch === "\u007f") value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on("data", onData);
  });
}

const password = await readHidden("Password: ");
if (process.stdin.isTTY && (await readHidden("Again: ")) !== password) {
  console.error("the two passwords differ");
  process.exit(1);
}
if (password.length < 8) {
  console.error("a password needs at least 8 characters");
  process.exit(1);
}
console.log(await hashPassword(password));
