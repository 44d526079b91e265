/**
 * The command line of a bench script: `--flag`s and `--name value` options are
 * taken out of the list as they are read, so whatever remains afterwards is a
 * positional argument or a mistake the script can report.
 */
export class CliArgs {
  constructor(readonly rest: string[] = process.argv.slice(2)) {}

  flag(name: string): boolean {
    const at = this.rest.indexOf(name);
    if (at >= 0) this.rest.splice(at, 1);
    return at >= 0;
  }

  option(name: string): string | undefined {
    const at = this.rest.indexOf(name);
    if (at < 0) return undefined;
    const value = this.rest[at + 1];
    this.rest.splice(at, 2);
    return value;
  }
}
