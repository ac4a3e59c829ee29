// The home page. The designer, the run views and the approvals inbox come with later work;
// for now it says what Weft is and how to use it from the command line.

export default function Home() {
  return (
    <main>
      <h1>Weft</h1>
      <p>Draw a business process, get durable code for it.</p>
      <p>
        Compile a workflow document to a TypeScript module with <code>npx weft compile DOC.json</code>, or to a
        Temporal workflow with <code>--target temporal</code>.
      </p>
    </main>
  );
}
