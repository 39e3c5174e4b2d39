// The parts of mvdan-sh (mvdan/sh's syntax package compiled to JavaScript) the judge uses.
declare module 'mvdan-sh' {
  export interface Pos {
    Offset(): number;
  }
  export interface ShNode {
    Pos(): Pos;
    End(): Pos;
    [field: string]: unknown;
  }
  export interface ShParser {
    Parse(src: string, name: string): ShNode;
  }
  export const syntax: {
    NewParser(...options: unknown[]): ShParser;
    Variant(lang: unknown): unknown;
    LangBash: unknown;
    NodeType(node: ShNode): string;
    Walk(node: ShNode, visit: (node: ShNode | null) => boolean): void;
  };
  const sh: { syntax: typeof syntax };
  export default sh;
}
