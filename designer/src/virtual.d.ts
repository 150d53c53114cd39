declare module 'virtual:node-icons' {
  import type { FluentIcon } from '@fluentui/react-icons';
  /** The Fluent icons the node catalogue names, keyed by name ('CallInbound' → CallInboundRegular). */
  export const nodeIcons: Record<string, FluentIcon>;
  export const fallbackIcon: FluentIcon;
}
