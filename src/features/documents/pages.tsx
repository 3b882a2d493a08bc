/**
 * « Mes documents » (issue 7): the list of the member's documents, and each document as an accessible HTML page
 * (the same view model as its PDF). Plain HTML, no script; download links are per-request authorised URLs.
 */
import { formatFrenchDate, parisDate } from '../../domain/dates.ts';
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import type { DocumentView } from './document-views.ts';
import type { IssuedDocument, LetterDocument } from './member-documents.ts';

type Organisation = { name: string; phone: string };

const day = (at: Date) => formatFrenchDate(parisDate(at));

export type DocumentsPageProps = { organisation: Organisation; member: MemberBar; documents: IssuedDocument[]; letters: LetterDocument[]; year: number };

function DocumentItem({ d }: { d: IssuedDocument }) {
  return (
    <li>
      <p>
        <strong>{d.title}</strong>
        {d.version > 1 || !d.current ? ` — version ${d.version}` : ''}, établi le {day(d.issuedAt)}
      </p>
      <p class="button-row">
        <a href={`/documents/${d.id}`}>
          Consulter<span class="visually-hidden"> {d.title}, version {d.version}</span>
        </a>
        <a href={`/documents/${d.id}/pdf`} download>
          Télécharger le PDF<span class="visually-hidden"> {d.title}, version {d.version}</span>
        </a>
      </p>
    </li>
  );
}

export function DocumentsPage({ organisation, member, documents, letters, year }: DocumentsPageProps) {
  const current = documents.filter((d) => d.current);
  const previous = documents.filter((d) => !d.current);
  return (
    <Layout title="Mes documents" organisationName={organisation.name} currentPath="/documents" member={member}>
      <h1>Mes documents</h1>
      <p>Vos documents sont établis à la demande, à jour de votre contrat. Les versions précédentes restent disponibles.</p>

      <section class="panel" aria-labelledby="titre-a-jour">
        <h2 id="titre-a-jour">Documents à jour</h2>
        {current.length === 0 ? (
          <p>Aucun document n’est disponible pour le moment.</p>
        ) : (
          <ul class="document-list">
            {current.map((d) => (
              <DocumentItem key={d.id} d={d} />
            ))}
          </ul>
        )}
      </section>

      <section class="panel" aria-labelledby="titre-releves">
        <h2 id="titre-releves">Relevés de remboursements</h2>
        <ul class="document-list">
          <li>
            <p>
              <strong>Relevé de remboursements {year}</strong>
            </p>
            <p class="button-row">
              <a href={`/remboursements?annee=${year}`}>Consulter<span class="visually-hidden"> le relevé de remboursements {year}</span></a>
              <a href={`/remboursements/releve.pdf?annee=${year}`} download>
                Télécharger le PDF<span class="visually-hidden"> du relevé de remboursements {year}</span>
              </a>
            </p>
          </li>
        </ul>
        <p>
          Pour une autre période, choisissez-la sur la page <a href="/remboursements">Mes remboursements</a>, puis téléchargez le relevé.
        </p>
      </section>

      <section class="panel" aria-labelledby="titre-courriers">
        <h2 id="titre-courriers">Courriers de la mutuelle</h2>
        {letters.length === 0 ? (
          <p>Aucun courrier.</p>
        ) : (
          <ul class="document-list">
            {letters.map((l) => (
              <li key={l.id}>
                <p>
                  <strong>{l.title}</strong>, envoyé le {day(l.issuedAt)}
                </p>
                <p class="button-row">
                  <a href={`/documents/${l.id}/pdf`} download>
                    Télécharger le PDF<span class="visually-hidden"> {l.title}, du {day(l.issuedAt)}</span>
                  </a>
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      {previous.length > 0 ? (
        <section class="panel" aria-labelledby="titre-versions">
          <h2 id="titre-versions">Versions précédentes</h2>
          <ul class="document-list">
            {previous.map((d) => (
              <DocumentItem key={d.id} d={d} />
            ))}
          </ul>
        </section>
      ) : null}
    </Layout>
  );
}

export type DocumentPageProps = {
  organisation: Organisation;
  member: MemberBar;
  document: IssuedDocument;
  view: DocumentView;
  /** Inline SVGs of the codes (their own accessible names), shown after the title. */
  codes: { svg: string; caption: string }[];
};

export function DocumentPage({ organisation, member, document, view, codes }: DocumentPageProps) {
  return (
    <Layout title={view.title} organisationName={organisation.name} currentPath="/documents" member={member}>
      <p>
        <a href="/documents">Mes documents</a>
      </p>
      <h1>{view.title}</h1>
      <p>
        {view.issuer.join(' — ')}
        <br />
        Établi le {day(document.issuedAt)}, version {document.version}
        {document.current ? '' : ' (une version plus récente existe)'}.
      </p>
      <p class="button-row">
        <a class="button" href={`/documents/${document.id}/pdf`} download>
          Télécharger le PDF
        </a>
      </p>
      {codes.length > 0 ? (
        <div class="document-codes">
          {codes.map((c) => (
            <figure key={c.caption}>
              <div dangerouslySetInnerHTML={{ __html: c.svg }} />
              <figcaption>{c.caption}</figcaption>
            </figure>
          ))}
        </div>
      ) : null}
      {view.sections.map((section, s) => (
        <section class="panel" key={section.heading} aria-labelledby={`section-${s}`}>
          <h2 id={`section-${s}`}>{section.heading}</h2>
          {section.blocks.map((block, b) => {
            if (block.type === 'p') return <p key={b}>{block.text}</p>;
            if (block.type === 'fields') {
              return (
                <dl class="totals-list document-fields" key={b}>
                  {block.items.map(([label, value]) => (
                    <div key={label}>
                      <dt>{label}</dt>
                      <dd>{value || '—'}</dd>
                    </div>
                  ))}
                </dl>
              );
            }
            return (
              <table key={b} class="document-table">
                <caption>{block.caption}</caption>
                <thead>
                  <tr>
                    {block.head.map((h) => (
                      <th scope="col" key={h}>
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {block.rows.map((row, r) => (
                    <tr key={r}>
                      {row.map((cell, c) => (
                        <td key={c}>{cell}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            );
          })}
        </section>
      ))}
    </Layout>
  );
}
