import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { ReviewRequester } from "../../src/requester/types.js";
import { createFakeMetaWhatsapp } from "../../src/testing/meta-whatsapp.js";
import { createFakeResend } from "../../src/testing/resend.js";
import { createFakeSmsRu } from "../../src/testing/sms-ru.js";

/**
 * The msw fakes of Meta, SMS.ru and Resend for one test file: listening before its tests (any
 * other request is an error), reset after each test, with the requesters `keep` was given closed
 * then; stopped after the file.
 *
 * @param options - What each fake checks (`accessToken` for Meta, `apiKey` for SMS.ru).
 */
export function providerFakes(
  options: { readonly metaAccessToken?: string; readonly smsApiKey?: string } = {},
) {
  const metaFake = createFakeMetaWhatsapp(
    options.metaAccessToken ? { accessToken: options.metaAccessToken } : {},
  );
  const smsFake = createFakeSmsRu(options.smsApiKey ? { apiKey: options.smsApiKey } : {});
  const resendFake = createFakeResend();
  const server = setupServer(...metaFake.handlers, ...smsFake.handlers, ...resendFake.handlers);
  const requesters: ReviewRequester[] = [];
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(async () => {
    await Promise.all(requesters.splice(0).map((r) => r.close({ timeoutMs: 1_000 })));
    metaFake.reset();
    smsFake.reset();
    resendFake.reset();
  });
  afterAll(() => server.close());
  return {
    metaFake,
    smsFake,
    resendFake,
    /** Closes `requester` after the test. */
    keep<T extends ReviewRequester>(requester: T): T {
      requesters.push(requester);
      return requester;
    },
  };
}
