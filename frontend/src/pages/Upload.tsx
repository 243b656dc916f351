// PLACEHOLDER until the Upload screen is written: replace this whole file.
export default function UploadPage() {
  return <h1>Upload</h1>;
}
