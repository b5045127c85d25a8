export default function Home() {
  return (
    <main>
      <h1>otzovik: Next.js example</h1>
      <p>
        Webhooks go to <code>POST /api/webhook/[source]?key=…</code> with a source of{" "}
        <code>iiko</code>, <code>rkeeper</code>, <code>yclients</code> or <code>amocrm</code>.
      </p>
      <p>
        Status webhooks go to <code>/api/status/[provider]</code>: <code>meta</code>,{" "}
        <code>sms.ru</code> or <code>resend</code>.
      </p>
    </main>
  );
}
