// One domain error for bad user input; api/ maps it to 400 and the CLI to exit code 1.
export interface Problem {
  path: string;
  message: string;
}

export class SpecError extends Error {
  readonly problems: Problem[];
  constructor(message: string, problems: Problem[] = []) {
    super(
      problems.length
        ? `${message}: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`
        : message,
    );
    this.name = 'SpecError';
    this.problems = problems;
  }
}
