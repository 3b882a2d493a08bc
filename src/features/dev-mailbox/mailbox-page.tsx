import type { OutboxEntry, OutboxMessage } from '../../platform/mail.ts';
import { Layout } from '../../platform/views/layout.tsx';

export function MailboxPage({ organisationName, messages }: { organisationName: string; messages: OutboxEntry[] }) {
  return (
    <Layout title="Courriels envoyés (développement)" organisationName={organisationName}>
      <h1>Courriels envoyés</h1>
      <p class="muted">Page de développement : sans serveur SMTP configuré, les courriels sont écrits dans data/outbox. Elle n'existe pas en production.</p>
      {messages.length === 0 ? (
        <p>Aucun courriel pour l'instant.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Courriels, du plus récent au plus ancien</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Destinataire</th>
              <th scope="col">Objet</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.file}>
                <td>{m.date}</td>
                <td>{m.to}</td>
                <td>
                  <a href={`/dev/courriels/${encodeURIComponent(m.file)}`}>{m.subject}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

export function MailboxMessagePage({ organisationName, message }: { organisationName: string; message: OutboxMessage }) {
  return (
    <Layout title={message.subject} organisationName={organisationName}>
      <p>
        <a href="/dev/courriels">← Tous les courriels</a>
      </p>
      <h1>{message.subject}</h1>
      <dl class="facts">
        <dt>De</dt>
        <dd>{message.from}</dd>
        <dt>À</dt>
        <dd>{message.to}</dd>
        <dt>Date</dt>
        <dd>{message.date}</dd>
      </dl>
      <h2>Version texte</h2>
      <pre class="mail-text">{message.text}</pre>
      <h2>Source HTML</h2>
      <pre class="mail-text">{message.html}</pre>
    </Layout>
  );
}
