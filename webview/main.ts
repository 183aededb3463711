/**
 * Entry of the panel app: validates every message from the host before the app sees it,
 * forwards uncaught errors to the host log, and says `ready` once it listens.
 */
import './main.css';
import { assertToWebviewMessage, PROTOCOL_VERSION, ProtocolError } from '../src/shared/protocol';
import { App } from './app';

const app = new App(document.getElementById('app')!);

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const receivedAt = performance.now();
  try {
    app.receive(assertToWebviewMessage(event.data), receivedAt);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    app.host.log('warn', `dropped a malformed message from the host: ${err.message}`);
  }
});
window.addEventListener('error', (ev) => app.host.log('error', `${ev.message} (${ev.filename}:${ev.lineno})`));
window.addEventListener('unhandledrejection', (ev) => app.host.log('error', `unhandled rejection: ${String((ev.reason as Error)?.stack ?? ev.reason)}`));

app.host.post({ type: 'ready', protocol: PROTOCOL_VERSION });
