import { Badge } from '@fluentui/react-components';
import { listNumbers } from './liveChanges.js';

/** "Live" on the version numbers answer with, naming them. */
export function LiveBadge({ version, numbers }: { version: number; numbers: string[] }) {
  return (
    <Badge
      appearance="filled"
      color="success"
      className="sb-live"
      title={`${listNumbers(numbers)} ${numbers.length === 1 ? 'answers' : 'answer'} with version ${version}`}
    >
      Live v{version}: {listNumbers(numbers)}
    </Badge>
  );
}
