/**
 * `otzovik/testing`: what you need to test your integration without network.
 *
 * - {@link fixtures}: the real sample bodies of every source (`fixtures.iiko.deliveryClosed`,
 *   `fixtures.amocrm.leadWon`, …), each with its content type, origin and the parser's decision.
 * - Builders of bodies in each system's real format ({@link iikoDeliveryOrderUpdate},
 *   {@link yclientsRecord}, {@link rkeeperOrder}, {@link amocrmLeadStatus}) and
 *   {@link webhookRequest}, the `Request` the system would send to your route.
 * - Fake SMS.ru, Meta WhatsApp, Exolve, Resend and amoCRM servers as msw handlers; each
 *   provider fake's `sent()` lists what it accepted as `{ channel, to, text }`. msw (v2) is an
 *   optional peer dependency, loaded only when a fake is created: the fixtures, builders and
 *   signers work without it.
 *
 * @example
 * import { setupServer } from "msw/node"
 * import { createFakeSmsRu } from "otzovik/testing"
 *
 * const smsRu = createFakeSmsRu({ apiKey: "test-key" })
 * const server = setupServer(...smsRu.handlers)
 * server.listen({ onUnhandledRequest: "error" })
 * smsRu.enqueue("no_route")
 * await expect(sendSms("+79161234567", "Hi", { apiKey: "test-key" })).rejects.toThrow()
 *
 * The `"reset"` and `"refused"` scenarios make the handler throw a Node-style system error
 * (`ECONNRESET`, `ECONNREFUSED`, as undici reports them), which msw turns into a failed `fetch`.
 * msw also prints such errors with `console.error`; filter them out in your test setup if the
 * noise bothers you.
 *
 * It also signs and builds status webhooks the way the providers do, to test your own status
 * routes: {@link signMetaStatus} and {@link metaStatusPayload}, {@link signResendEvent} and
 * {@link resendEventPayload}, {@link smsRuCallbackBody}. These need no msw. The fakes build them
 * for the messages they accepted, recipient and all: `metaFake.statusWebhook(wamid, { status:
 * "failed", errorCode: 131047, appSecret })`, `smsFake.statusCallback(smsId, 104)`,
 * `resendFake.event(emailId, "email.bounced", { webhookSecret })`, each a signed
 * `{ method, headers, body }` to pass to `fetch(url, webhook)`.
 *
 * @packageDocumentation
 */

export { type AmocrmScenario, createFakeAmocrm, type FakeAmocrmOptions } from "./amocrm.js";
export { createFakeExolve, type ExolveScenario, type FakeExolveOptions } from "./exolve.js";
export type {
  CommonScenario,
  FakeOptions,
  FakeProvider,
  FakeRequest,
  FakeSender,
  FakeStatusWebhook,
  Scenario,
  SentMessage,
} from "./fake.js";
export type { Fixture, WebhookFixture } from "./fixture.js";
export {
  type AmocrmApiFixtures,
  type AmocrmFixtures,
  type Fixtures,
  fixtures,
  type IikoFixtures,
  type RkeeperFixtures,
  type StatusFixtures,
  type YclientsFixtures,
} from "./fixtures.generated.js";
export {
  createFakeMetaWhatsapp,
  type FakeMetaStatusOptions,
  type FakeMetaWhatsapp,
  type FakeMetaWhatsappOptions,
  type MetaScenario,
} from "./meta-whatsapp.js";
export { type WebhookRequestOptions, webhookRequest } from "./request.js";
export {
  createFakeResend,
  type FakeResend,
  type FakeResendEventOptions,
  type FakeResendOptions,
  type ResendScenario,
} from "./resend.js";
export {
  createFakeSmsRu,
  type FakeSmsRu,
  type FakeSmsRuCallbackOptions,
  type FakeSmsRuCallbackStatus,
  type FakeSmsRuOptions,
  type SmsRuScenario,
} from "./sms-ru.js";
export {
  type MetaStatusPayload,
  type MetaStatusPayloadOptions,
  metaStatusPayload,
  signMetaStatus,
} from "./status/meta.js";
export {
  type ResendEventOptions,
  type ResendEventPayload,
  resendEventPayload,
  type SignedResendEvent,
  type SignResendEventOptions,
  signResendEvent,
} from "./status/resend.js";
export { type SmsRuCallbackStatus, smsRuCallbackBody } from "./status/sms-ru.js";
export {
  type AmocrmLeadStatusOptions,
  amocrmLeadStatus,
  type IikoDeliveryOrderUpdateOptions,
  iikoDeliveryOrderUpdate,
  type RkeeperOrderOptions,
  rkeeperOrder,
  type YclientsRecordOptions,
  yclientsRecord,
} from "./webhooks.js";
