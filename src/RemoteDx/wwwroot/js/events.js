// Server-sent events from /api/events: `worklist` (the list changed), `stat` (a study became STAT: {studyInstanceUid,
// clinic}) and `reviewed` (one of a clinic user's studies was reviewed: {studyInstanceUid}). EventSource reconnects by
// itself; when it gives up (the server answered an error such as 401) we report the loss so the app can check whether
// the session expired.

export class LiveEvents {
  constructor(url, { worklist, state, lost, stat = () => {}, reviewed = () => {} }) {
    this.url = url;
    this.handlers = { worklist, state, lost, stat, reviewed };
    this.state = 'connecting';
    this.closed = false;
    this.retry = null;
    this.opened = false;
    this.open();
  }

  open() {
    const source = new EventSource(this.url, { withCredentials: true });
    this.source = source;
    source.addEventListener('open', () => {
      // After a reconnect we may have missed events: treat it as a change.
      if (this.opened) this.handlers.worklist({});
      this.opened = true;
      this.set('open');
    });
    source.addEventListener('worklist', (e) => {
      let data = {};
      try { data = JSON.parse(e.data); } catch { /* a malformed event still means "changed" */ }
      this.handlers.worklist(data);
    });
    for (const kind of ['stat', 'reviewed']) {
      source.addEventListener(kind, (e) => {
        try { this.handlers[kind](JSON.parse(e.data)); } catch { /* an alert without data is dropped */ }
      });
    }
    source.addEventListener('error', () => {
      this.set('closed');
      if (source.readyState === EventSource.CLOSED && !this.closed) {
        // The browser stopped retrying: ask the app whether the session is still valid, then try again later.
        this.handlers.lost();
        this.retry = setTimeout(() => { if (!this.closed) this.open(); }, 15000);
      }
    });
  }

  set(state) {
    this.state = state;
    this.handlers.state(state);
  }

  close() {
    this.closed = true;
    clearTimeout(this.retry);
    this.source?.close();
  }
}
