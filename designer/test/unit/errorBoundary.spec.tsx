import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ErrorBoundary } from '../../src/app/ErrorBoundary.js';

function Broken(): never {
  throw new Error('the stored draft has a node without a position');
}

describe('a page that cannot render', () => {
  it('says so, with the reason, instead of leaving the designer blank', () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      render(
        <FluentProvider theme={webLightTheme}>
          <header>Switchboard</header>
          <ErrorBoundary what="This page">
            <Broken />
          </ErrorBoundary>
        </FluentProvider>,
      );
      expect(screen.getByRole('alert').textContent).toContain(
        'This page could not be shown.the stored draft has a node without a position',
      );
      expect(screen.getByText('Switchboard')).toBeTruthy();
    } finally {
      quiet.mockRestore();
    }
  });

  it('renders its children when they render', () => {
    render(
      <ErrorBoundary what="This page">
        <p>fine</p>
      </ErrorBoundary>,
    );
    expect(screen.getByText('fine')).toBeTruthy();
  });
});
