// PLACEHOLDER until the Model screen is written: replace this whole file.
export default function ModelPage() {
  return <h1>Model</h1>;
}
