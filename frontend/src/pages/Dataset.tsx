// PLACEHOLDER until the Dataset screen is written: replace this whole file.
export default function DatasetPage() {
  return <h1>Dataset</h1>;
}
