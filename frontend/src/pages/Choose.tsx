// PLACEHOLDER until the Choose screen is written: replace this whole file.
export default function ChoosePage() {
  return <h1>Choose</h1>;
}
