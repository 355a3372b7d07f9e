// portal serve: reloads this page after each rebuild. Injected in preview only.
(() => {
  const events = new URL("events", document.currentScript.src);
  let seen = null;
  function connect() {
    const source = new EventSource(events);
    // On (re)connect the server says which build it has: a different one means
    // a rebuild or a restart happened while we were away.
    source.addEventListener("hello", (e) => {
      if (seen !== null && seen !== e.data) location.reload();
      seen = e.data;
    });
    source.addEventListener("reload", () => location.reload());
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
    };
  }
  connect();
})();
