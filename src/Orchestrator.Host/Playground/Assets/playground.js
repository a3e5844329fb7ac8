"use strict";
// The playground page: pick a person, chat with the bot as them, click the cards they are sent. Cards are drawn by
// Microsoft's Adaptive Cards renderer; the chat itself lives in the host and arrives here as server-sent events.
(() => {
  const personSelect = document.getElementById("person");
  const clickerSelect = document.getElementById("clicker");
  const transcript = document.getElementById("transcript");
  const composer = document.getElementById("composer");
  const message = document.getElementById("message");
  const statusLine = document.getElementById("status");

  const hostConfig = new AdaptiveCards.HostConfig({
    fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    supportsInteractivity: true,
    containerStyles: {
      default: {
        backgroundColor: "#FFFFFF",
        foregroundColors: {
          default: { default: "#1B1B1F", subtle: "#4A4A55" },
          accent: { default: "#3A45A8", subtle: "#3A45A8" },
          good: { default: "#0E6B0E", subtle: "#0E6B0E" },
          warning: { default: "#8A4B00", subtle: "#8A4B00" },
          attention: { default: "#A4262C", subtle: "#A4262C" },
        },
      },
    },
  });

  let people = [];
  let person = null;
  let source = null;
  let shown = new Map();

  function setStatus(text, isError) {
    statusLine.textContent = text || "";
    statusLine.classList.toggle("error", !!isError);
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body ?? {}),
    });
    if (!response.ok) {
      let detail = "";
      try { detail = (await response.json()).detail; } catch { /* not problem details */ }
      throw new Error(detail || `The host answered ${response.status}.`);
    }
    return response.status === 204 ? null : response.json();
  }

  function nameOf(email) {
    return people.find(p => p.email === email)?.name ?? email;
  }

  function option(value, text) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    return o;
  }

  function renderCard(entry) {
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = hostConfig;
    card.onExecuteAction = action => {
      if (action instanceof AdaptiveCards.ExecuteAction) click(entry.id, action.verb, action.data);
      else if (action instanceof AdaptiveCards.OpenUrlAction) window.open(action.url, "_blank", "noopener");
    };
    try {
      card.parse(entry.card);
      return card.render();
    } catch (e) {
      const p = document.createElement("p");
      p.className = "note error";
      p.textContent = `This card could not be drawn: ${e.message}`;
      return p;
    }
  }

  function render(entry) {
    const li = document.createElement("li");
    li.className = entry.fromBot ? "bot" : "me";
    li.dataset.id = entry.id;
    const who = document.createElement("p");
    who.className = "who";
    who.textContent = entry.fromBot ? "Orchestrator" : nameOf(person);
    li.append(who);
    if (entry.text && !entry.card) {
      const text = document.createElement("p");
      text.className = "text";
      text.textContent = entry.text;
      li.append(text);
    }
    if (entry.card) {
      const holder = document.createElement("div");
      holder.className = "card";
      holder.append(renderCard(entry));
      li.append(holder);
    }
    if (entry.note) {
      const note = document.createElement("p");
      note.className = entry.noteIsError ? "note error" : "note";
      note.textContent = entry.note;
      li.append(note);
    }
    return li;
  }

  // Only what changed is drawn again, so that what someone is typing into another card is not lost.
  function show(chat) {
    if (chat.person !== person) return;
    let added = false;
    for (const entry of chat.entries) {
      const known = shown.get(entry.id);
      if (known && known.version === entry.version) continue;
      const node = render(entry);
      if (known) known.node.replaceWith(node);
      else { transcript.append(node); added = true; }
      shown.set(entry.id, { version: entry.version, node });
    }
    if (added) transcript.lastElementChild?.scrollIntoView({ block: "end" });
  }

  function open(email) {
    source?.close();
    person = email;
    shown = new Map();
    transcript.replaceChildren();
    clickerSelect.value = "";
    history.replaceState(null, "", `#${encodeURIComponent(email)}`);
    document.title = `${nameOf(email)} · Orchestrator playground`;
    source = new EventSource(`/playground/events?person=${encodeURIComponent(email)}`);
    source.addEventListener("transcript", e => show(JSON.parse(e.data)));
    source.onerror = () => setStatus("Lost the connection to the host; retrying…", true);
    source.onopen = () => setStatus("");
  }

  async function say(text) {
    setStatus("Sending…");
    try {
      await post("/playground/messages", { person, text });
      setStatus("");
    } catch (e) {
      setStatus(e.message, true);
    }
  }

  async function click(activityId, verb, data) {
    setStatus("Sending…");
    try {
      await post("/playground/actions", { person, as: clickerSelect.value || null, activityId, verb, data });
      setStatus("");
    } catch (e) {
      setStatus(e.message, true);
    }
  }

  composer.addEventListener("submit", e => {
    e.preventDefault();
    const text = message.value.trim();
    if (!text || !person) return;
    message.value = "";
    say(text);
  });
  for (const button of document.querySelectorAll("[data-say]"))
    button.addEventListener("click", () => { message.value = button.dataset.say; message.focus(); });
  personSelect.addEventListener("change", () => open(personSelect.value));

  (async () => {
    try {
      people = await post("/playground/join");
    } catch (e) {
      personSelect.replaceChildren(option("", "Unavailable"));
      setStatus(e.message, true);
      return;
    }
    personSelect.replaceChildren(...people.map(p => option(p.email, `${p.name} (${p.email}${p.roles.length ? ", " + p.roles.join(", ") : ""})`)));
    clickerSelect.append(...people.map(p => option(p.email, `${p.name} (${p.email})`)));
    personSelect.disabled = false;
    const wanted = decodeURIComponent(location.hash.slice(1));
    const first = people.some(p => p.email === wanted) ? wanted : people[0]?.email;
    if (!first) { setStatus("The directory has nobody in it.", true); return; }
    personSelect.value = first;
    open(first);
  })();
})();
