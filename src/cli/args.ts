/**
 * Option parsing shared by every `striate` subcommand. A command is described once,
 * as data: its usage line, a summary, and each option's type, default and help.
 * From that one description come the parsed, typed values, the `--help` text
 * (every option with its default) and the errors: an unknown option names the
 * nearest valid one (a prefix either way, or a few edits), a bad value names the option.
 *
 * Syntax: `--name value`, `--name=value`, `--flag` for booleans, `-h`/`--help`;
 * `--` ends the options. Any other word starting with one dash is an unknown option
 * (`-e` suggests `--epochs`). Everything else is a positional argument.
 */

export interface OptionSpec {
  type: 'string' | 'number' | 'integer' | 'boolean';
  /** The help text, one line. */
  help: string;
  /** Used when the option is not given, and shown in the help. */
  default?: string | number | boolean;
  /** Shown in the help instead of a value when there is no fixed default ('every core'). */
  defaultText?: string;
  /** The allowed values of a string option. */
  choices?: readonly string[];
  /** The smallest allowed value of a number option (inclusive); default: none. */
  min?: number;
  /** The value's name in the help: `--epochs N`; default by type. */
  placeholder?: string;
}

export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** E.g. 'striate train MODEL [options]'. */
  usage: string;
  /** What the command does, a sentence or two. */
  summary: string;
  options: O;
  /** Extra help after the options (examples, notes). */
  epilog?: string;
}

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean' ? boolean : S['type'] extends 'string' ? string : number;

/** The parsed values: an option with a default always has a value (a boolean is false when absent). */
export type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K] extends { default: unknown } | { type: 'boolean' } ? ValueOf<O[K]> : ValueOf<O[K]> | undefined;
};

export interface Parsed<O extends Record<string, OptionSpec>> {
  values: Values<O>;
  positionals: string[];
  /** The options given on the command line (the rest hold their defaults). */
  given: string[];
  /** `-h` or `--help` was given: print `formatHelp(spec)` and do nothing else. */
  help: boolean;
}

/**
 * Declares a command; the `const` type parameter keeps each option's type literal,
 * so `parseCommand` returns typed values.
 * @example
 * const spec = defineCommand({ usage: 'striate x [options]', summary: 'Does x.',
 *   options: { epochs: { type: 'integer', default: 1, min: 1, help: 'passes over the data' } } });
 */
export function defineCommand<const O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two neighbours
 * (optimal string alignment), so the usual typo `slwo` is one edit from `slow`.
 * @example editDistance('kitten', 'sitting')  // 3
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: the distance between a's first i characters and b's first j.
  const rows = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], rows[i - 2][j - 2] + 1);
    }
    rows.push(row);
  }
  return rows[a.length][b.length];
}

/**
 * The candidate nearest to `name`, if it is near enough to be a likely slip: one of the two
 * is a prefix of the other (an abbreviation such as `epoch` or `e` for `epochs`, or a valid
 * name run on, `lr-rate` for `lr`), or it is a few edits away (`editDistance`: one per
 * three characters, at least one). Prefix matches rank first; ties go to the smaller
 * distance, then to the earlier candidate.
 * @example nearest('lr-rate', ['epochs', 'lr'])  // 'lr'
 */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestRank = Infinity;
  for (const c of candidates) {
    const prefix = name.length > 0 && c.length > 0 && (c.startsWith(name) || name.startsWith(c));
    const d = editDistance(name, c);
    if (!prefix && d > Math.max(1, Math.floor(name.length / 3))) continue;
    const rank = (prefix ? 0 : 1e6) + d;
    if (rank < bestRank) [best, bestRank] = [c, rank];
  }
  return best;
}

/**
 * "unknown X y; did you mean z?" Leading dashes of `name` are not compared, and `dashes`
 * is put before the guess: `unknown('option', '-e', ['epochs'], '--')` suggests `--epochs`.
 */
export function unknown(what: string, name: string, candidates: readonly string[], dashes = ''): RangeError {
  const guess = nearest(name.replace(/^-+/, ''), candidates);
  return new RangeError(`unknown ${what} ${name}${guess ? `; did you mean ${dashes}${guess}?` : ''}`);
}

function convert(name: string, spec: OptionSpec, text: string): string | number {
  if (spec.type === 'string') {
    if (spec.choices && !spec.choices.includes(text))
      throw new RangeError(`--${name} must be ${spec.choices.join(', ')}, got ${text}${(() => {
        const guess = nearest(text, spec.choices);
        return guess ? ` (did you mean ${guess}?)` : '';
      })()}`);
    return text;
  }
  const n = Number(text);
  const integer = spec.type === 'integer';
  if (text.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new RangeError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got ${text}`);
  if (spec.min !== undefined && n < spec.min) throw new RangeError(`--${name} must be >= ${spec.min}, got ${text}`);
  return n;
}

/**
 * Parses `argv` (the words after the subcommand) against a command's options.
 * @example
 * const { values, positionals, help } = parseCommand(['resnet20', '--epochs=3'], trainSpec);
 * values.epochs  // 3
 */
export function parseCommand<O extends Record<string, OptionSpec>>(argv: readonly string[], spec: CommandSpec<O>): Parsed<O> {
  const names = Object.keys(spec.options);
  const values: Record<string, string | number | boolean | undefined> = {};
  for (const [name, o] of Object.entries(spec.options)) values[name] = o.default ?? (o.type === 'boolean' ? false : undefined);
  const positionals: string[] = [];
  const given = new Set<string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (word === '-h' || word === '--help') {
      help = true;
      continue;
    }
    if (!word.startsWith('-') || word === '-') {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const written = word.slice(0, eq < 0 ? undefined : eq);
    // Long options take two dashes; `-epochs` or `-e` is a slip for `--epochs`, never a value.
    if (!word.startsWith('--')) throw unknown('option', written, names, '--');
    const name = written.slice(2);
    const option = Object.hasOwn(spec.options, name) ? spec.options[name] : undefined;
    if (!option) throw unknown('option', written, names, '--');
    given.add(name);
    if (option.type === 'boolean') {
      if (eq >= 0) {
        const text = word.slice(eq + 1);
        if (text !== 'true' && text !== 'false') throw new RangeError(`--${name} takes no value (or =true, =false), got ${text}`);
        values[name] = text === 'true';
      } else values[name] = true;
      continue;
    }
    let text: string;
    if (eq >= 0) text = word.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new RangeError(`--${name} needs a value (${placeholder(option)})`);
      text = argv[++i];
    }
    values[name] = convert(name, option, text);
  }
  return { values: values as Values<O>, positionals, given: [...given], help };
}

/** Short lists of choices stand in the option's column; long ones go with the help. */
const inline = (choices: readonly string[]) => choices.join('|').length <= 12;

function placeholder(o: OptionSpec): string {
  if (o.placeholder) return o.placeholder;
  if (o.choices) return inline(o.choices) ? o.choices.join('|') : 'NAME';
  return o.type === 'integer' ? 'N' : o.type === 'number' ? 'X' : 'VALUE';
}

/** The help text: usage, summary, then every option with its default. */
export function formatHelp(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const left = `  --${name}${o.type === 'boolean' ? '' : ` ${placeholder(o)}`}`;
    const fallback = o.defaultText ?? (o.default !== undefined ? String(o.default) : o.type === 'boolean' ? 'off' : undefined);
    const choices = o.choices && !o.placeholder && !inline(o.choices) ? `: ${o.choices.join(', ')}` : '';
    return [left, `${o.help}${choices}${fallback !== undefined ? ` (default: ${fallback})` : ''}`];
  });
  rows.push(['  -h, --help', 'print this help']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    `usage: ${spec.usage}`,
    '',
    spec.summary,
    '',
    'options:',
    ...rows.map(([left, right]) => left.padEnd(width) + right),
    ...(spec.epilog ? ['', spec.epilog] : []),
  ].join('\n');
}
