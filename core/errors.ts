// One domain error for bad user input; api/ maps it to 400 and the CLI to exit code 1.
export interface Problem {
  path: string;
  message: string;
}

/** Problems on one line, as an error's message ends: `path: message; …`. */
export const problemsLine = (problems: Problem[]): string =>
  problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');

/** A message that names its problems (the API's and the CLI's one line). */
export const withProblems = (headline: string, problems: Problem[]): string =>
  problems.length ? `${headline}: ${problemsLine(problems)}` : headline;

/** The headline of a message withProblems made (the dashboard lists the problems under it instead). */
export const headlineOf = (message: string, problems: Problem[]): string => {
  const tail = `: ${problemsLine(problems)}`;
  return problems.length && message.endsWith(tail) ? message.slice(0, -tail.length) : message;
};

export class SpecError extends Error {
  readonly problems: Problem[];
  constructor(message: string, problems: Problem[] = []) {
    super(withProblems(message, problems));
    this.name = 'SpecError';
    this.problems = problems;
  }
}
