// What src/core uses of papaparse: parsing a string. Used only by tsconfig.core.json, because
// @types/papaparse pulls in Node's types (for its stream overloads) and core must compile
// without them. The page, the CLI and the tests see the full @types/papaparse.
export interface ParseError {
  type: string;
  code: string;
  message: string;
  row?: number;
  index?: number;
}
export interface ParseMeta {
  delimiter: string;
  linebreak: string;
  aborted: boolean;
  truncated: boolean;
  cursor: number;
}
export interface ParseResult<T> {
  data: T[];
  errors: ParseError[];
  meta: ParseMeta;
}
export interface ParseConfig {
  delimiter?: string;
  newline?: string;
  quoteChar?: string;
  escapeChar?: string;
  skipEmptyLines?: boolean | 'greedy';
}
declare const Papa: {
  parse<T>(input: string, config?: ParseConfig): ParseResult<T>;
};
export default Papa;
