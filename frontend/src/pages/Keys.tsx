// PLACEHOLDER until the Keys screen is written: replace this whole file.
export default function KeysPage() {
  return <h1>Keys</h1>;
}
