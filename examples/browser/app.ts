/**
 * A web chat on effect-jmap-chat with no UI framework: sign in as a user of the demo's server,
 * list chats, read and send messages, react, and see new messages, reactions and typing live over
 * push — the EventSource, or the WebSocket with the token in its URL. `npm run demo:web` bundles
 * this file for the browser and serves it.
 */
import { Cause, Effect, Runtime, Stream } from "effect"
import { Auth, type Chat, ChatClient, ChatPush, type Message, Ulid } from "effect-jmap-chat"
import { BrowserChat } from "effect-jmap-chat/browser"

/** What the demo server tells the page (`config.json`): the JMAP origin and its demo users. */
interface DemoConfig {
  readonly jmapUrl: string
  readonly users: ReadonlyArray<{ readonly name: string; readonly displayName: string; readonly token: string }>
}

type Via = "eventsource" | "websocket"

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const status = element<HTMLSpanElement>("status")
const userSelect = element<HTMLSelectElement>("user")
const pushSelect = element<HTMLSelectElement>("push")
const chatList = element<HTMLUListElement>("chats")
const messageList = element<HTMLUListElement>("messages")
const typingLine = element<HTMLDivElement>("typing")
const composer = element<HTMLFormElement>("composer")
const input = element<HTMLInputElement>("text")

const li = (className: string, ...children: ReadonlyArray<Node | string>) => {
  const item = document.createElement("li")
  item.className = className
  item.append(...children)
  return item
}
const span = (className: string, text: string) => {
  const s = document.createElement("span")
  s.className = className
  s.textContent = text
  return s
}

/** The signed-in app: everything after sign-in, as one Effect program over the client stack. */
const app = (me: string, via: Via) =>
  Effect.gen(function*() {
    const client = yield* ChatClient.ChatClient
    const push = yield* ChatPush.ChatPush
    // UI callbacks run effects on this program's runtime (its services, its logger).
    const run = Runtime.runFork(yield* Effect.runtime<never>())

    const names = new Map<string, string>()
    for (const contact of (yield* client.ChatContact.get()).list) {
      names.set(contact.id, contact.displayName ?? contact.login)
    }
    const senderName = (senderId: string) => senderId === "self" ? me : names.get(senderId) ?? senderId

    const chats = new Map<string, Chat>()
    const messages = new Map<string, Message>()
    const typing = new Map<string, Map<string, ReturnType<typeof setTimeout>>>()
    let selected: string | undefined
    let messageState = yield* client.Message.state()
    const chatsNow = yield* client.Chat.get()
    let chatState = chatsNow.state
    for (const chat of chatsNow.list) chats.set(chat.id, chat)

    const chatName = (chat: Chat) => chat.name ?? (chat.contactId ? names.get(chat.contactId) : undefined) ?? chat.id
    const typists = (chatId: string) => [...(typing.get(chatId)?.keys() ?? [])].map(senderName)

    const renderChats = () =>
      chatList.replaceChildren(
        ...[...chats.values()].map((chat) => {
          const who = typists(chat.id)
          const item = li(
            chat.id === selected ? "selected" : "",
            chatName(chat),
            ...(who.length > 0 ? [span("typing", `${who.join(", ")} typing…`)] : [])
          )
          item.dataset["chatId"] = chat.id
          item.onclick = () => run(select(chat.id))
          return item
        })
      )

    const renderMessages = () => {
      const shown = [...messages.values()]
        .filter((m) => m.chatId === selected && m.deletedAt == null)
        .sort((a, b) => a.sentAt.localeCompare(b.sentAt))
      messageList.replaceChildren(...shown.map((m) => {
        const counts = new Map<string, number>()
        for (const reaction of Object.values(m.reactions ?? {})) {
          counts.set(reaction.emoji, (counts.get(reaction.emoji) ?? 0) + 1)
        }
        const reactions = document.createElement("span")
        reactions.className = "reactions"
        reactions.append(...[...counts].map(([emoji, n]) => span("reaction", `${emoji} ${n}`)))
        const react = document.createElement("button")
        react.className = "react"
        react.title = "React with 👍"
        react.textContent = "👍+"
        react.onclick = () =>
          run(Effect.flatMap(Ulid.make, (reactionId) =>
            client.Message.update({ id: m.id, patch: { reactions: { [reactionId]: { emoji: "👍" } } } })))
        const item = li("message", span("sender", senderName(m.senderId)), span("body", m.body), reactions, react)
        item.dataset["messageId"] = m.id
        return item
      }))
      messageList.scrollTop = messageList.scrollHeight
      const who = selected === undefined ? [] : typists(selected)
      typingLine.textContent = who.length > 0 ? `${who.join(", ")} ${who.length > 1 ? "are" : "is"} typing…` : ""
    }

    const select = (chatId: string) =>
      Effect.gen(function*() {
        selected = chatId
        composer.hidden = false
        renderChats()
        const page = yield* client.Message.list({
          filter: { chatId },
          sort: [{ property: "sentAt", isAscending: false }],
          limit: 100
        })
        for (const m of page.list) {
          messages.set(m.id, m)
        }
        renderMessages()
      })

    // Push: a StateChange (or a (re)connection, after which changes may have been missed) makes
    // the app fetch what changed since the states it has; Typing events show who types.
    const catchUp = Effect.gen(function*() {
      const chatChanges = yield* client.Chat.sync({ sinceState: chatState })
      chatState = chatChanges.newState
      for (const chat of [...chatChanges.created, ...chatChanges.updated]) {
        chats.set(chat.id, chat)
      }
      for (const id of chatChanges.destroyed) {
        chats.delete(id)
      }
      const changes = yield* client.Message.sync({ sinceState: messageState })
      messageState = changes.newState
      for (const m of [...changes.created, ...changes.updated]) {
        messages.set(m.id, m)
      }
      for (const id of changes.destroyed) {
        messages.delete(id)
      }
      renderChats()
      renderMessages()
    })

    const onTyping = (chatId: string, senderId: string, isTyping: boolean) => {
      const inChat = typing.get(chatId) ?? new Map<string, ReturnType<typeof setTimeout>>()
      typing.set(chatId, inChat)
      clearTimeout(inChat.get(senderId))
      inChat.delete(senderId)
      // A typing event shows for 10 s unless renewed (the sender repeats it while typing).
      if (isTyping) {
        inChat.set(
          senderId,
          setTimeout(() =>
            onTyping(chatId, senderId, false), 10_000)
        )
      }
      renderChats()
      renderMessages()
    }

    let lastTyping = 0
    input.oninput = () => {
      if (selected === undefined || Date.now() - lastTyping < 3_000) return
      lastTyping = Date.now()
      run(client.Chat.typing({ chatId: selected, typing: true }))
    }
    composer.onsubmit = (event) => {
      event.preventDefault()
      const body = input.value.trim()
      const chatId = selected
      if (body === "" || chatId === undefined) return
      input.value = ""
      lastTyping = 0
      run(
        Effect.gen(function*() {
          const sent = yield* client.Message.send({ chatId, body, bodyType: "text/plain" })
          messages.set(sent.id, sent)
          renderMessages()
          yield* client.Chat.typing({ chatId, typing: false })
        }).pipe(Effect.catchAll((error) => Effect.sync(() => (status.textContent = `not sent: ${error.message}`))))
      )
    }

    renderChats()
    const first = chats.keys().next()
    if (!first.done) yield* select(first.value)

    yield* push.events({ via, types: ["Chat", "Message"] }).pipe(
      Stream.runForEach((event) => {
        switch (event._tag) {
          case "Connected":
          case "Reconnected":
            // Live once caught up with what changed before the (re)connection.
            return Effect.tap(catchUp, () => Effect.sync(() => (status.textContent = `live · ${via}`)))
          case "StateChange":
            return catchUp
          case "Typing":
            return Effect.sync(() => onTyping(event.chatId, event.senderId, event.typing))
          default:
            return Effect.void
        }
      })
    )
  })

const signIn = (config: DemoConfig, name: string, via: Via) => {
  const user = config.users.find((u) => u.name === name)
  if (user === undefined) return
  element<HTMLFormElement>("signin").hidden = true
  const me = element<HTMLSpanElement>("me")
  me.hidden = false
  me.textContent = `${user.displayName} · push over ${via}`
  status.textContent = "connecting…"
  const live = BrowserChat.layer({
    url: config.jmapUrl,
    auth: Auth.bearer(user.token),
    // The browser cannot send `Authorization` on a WebSocket: this server takes `?access_token=`.
    ...(via === "websocket" ? { webSocket: { tokenQueryParameter: "access_token" } } : {})
  })
  Effect.runFork(
    app(user.displayName, via).pipe(
      Effect.provide(live),
      Effect.catchAllCause((cause) => Effect.sync(() => (status.textContent = `failed: ${Cause.pretty(cause)}`)))
    )
  )
}

const config: DemoConfig = await fetch("config.json").then((response) => response.json())
for (const user of config.users) userSelect.add(new Option(user.displayName, user.name))
element<HTMLFormElement>("signin").onsubmit = (event) => {
  event.preventDefault()
  signIn(config, userSelect.value, pushSelect.value as Via)
}
// `?user=alice&push=websocket` signs in at once.
const params = new URLSearchParams(location.search)
const wanted = params.get("user")
if (wanted !== null) signIn(config, wanted, params.get("push") === "websocket" ? "websocket" : "eventsource")
