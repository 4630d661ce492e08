/** AST of a parsed Go text/template. */

export type Arg =
  | { k: 'field'; names: string[]; text: string }
  | { k: 'var'; name: string; fields: string[]; text: string }
  | { k: 'ident'; name: string; text: string }
  | { k: 'dot'; text: string }
  | { k: 'str'; v: string; text: string }
  | { k: 'num'; v: number | bigint; text: string }
  | { k: 'bool'; v: boolean; text: string }
  | { k: 'nil'; text: string }
  | { k: 'pipe'; pipe: Pipe; fields: string[]; text: string };

export interface Command {
  args: Arg[];
  line: number;
  text: string;
}

export interface Pipe {
  /** Declared/assigned variables ($x or $i, $e for range). */
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
  line: number;
}

export interface ListNode {
  type: 'list';
  nodes: Node[];
}

export type Node =
  | ListNode
  | { type: 'text'; text: string }
  | { type: 'action'; pipe: Pipe; line: number; text: string }
  | ControlNode
  | { type: 'template'; name: string; pipe: Pipe | null; line: number }
  | { type: 'break' | 'continue'; line: number };

export interface ControlNode {
  type: 'if' | 'with' | 'range';
  pipe: Pipe;
  list: ListNode;
  elseList: ListNode | null;
  line: number;
}
