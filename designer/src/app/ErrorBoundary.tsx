import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { Component, type ErrorInfo, type ReactNode } from 'react';

/**
 * Whatever a stored flow holds, a page that cannot render says so instead of leaving the whole
 * designer blank for everyone who opens it; the header and the other pages keep working.
 */
export class ErrorBoundary extends Component<
  { children: ReactNode; what: string },
  { error: Error | undefined }
> {
  override state: { error: Error | undefined } = { error: undefined };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error(`${this.props.what} could not be shown`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <MessageBar intent="error" role="alert" className="sb-page-error">
        <MessageBarBody>
          <MessageBarTitle>{this.props.what} could not be shown.</MessageBarTitle>
          {this.state.error.message}. The rest of the designer still works; reload the page to try
          again.
        </MessageBarBody>
      </MessageBar>
    );
  }
}
