/**
 * `SpaceInvite.code` is a join secret (draft-atwood-jmap-chat-00 §SpaceInvite): decoded as
 * `Redacted`, so a logged, inspected or serialised invite never shows it; the wire form is the
 * plain string, and `Space.join` takes the redacted value as it is.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Either, Inspectable, Redacted, Schema } from "effect"
import { SpaceInvite } from "../../src/chat/SpaceInvite.js"
import { ChatServer } from "../../src/testing/index.js"
import { clientFor } from "../support/Clients.js"

const invite = {
  id: "inv1",
  code: "JOIN-CANARY-7Q",
  spaceId: "sp1",
  createdBy: "user:alice@example.com",
  uses: 0,
  createdAt: "2026-04-26T12:00:00Z"
}

const shown = (value: unknown) => Inspectable.format(value) + JSON.stringify(value) + String(value)

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("SpaceInvite.code", (it) => {
  it("decodes to Redacted and encodes back to the string", () => {
    const decoded = Either.getOrThrow(Schema.decodeUnknownEither(SpaceInvite)(invite))
    expect(Redacted.isRedacted(decoded.code)).toBe(true)
    expect(Redacted.value(decoded.code)).toBe("JOIN-CANARY-7Q")
    expect(shown(decoded)).not.toContain("CANARY")
    expect(Schema.encodeSync(SpaceInvite)(decoded)).toEqual(invite)
  })

  it.scoped("an invite created and listed over the reference server never shows its code, and still joins", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const alice = yield* clientFor(server, "alice")
      const bob = yield* clientFor(server, "bob")
      const space = yield* alice.Space.createOne({ name: "Ops" })
      const created = yield* alice.SpaceInvite.createOne({ spaceId: space.id })
      const [got] = (yield* alice.SpaceInvite.get({ ids: [created.id] })).list
      for (const value of [created, got]) {
        expect(Redacted.isRedacted(value?.code)).toBe(true)
        expect(shown(value)).not.toContain(Redacted.value(created.code))
      }
      expect(Redacted.value(got!.code)).toBe(Redacted.value(created.code))
      const joined = yield* bob.Space.join({ inviteCode: got!.code })
      expect(joined.spaceId).toBe(space.id)
    }))
})
