import { createRoot } from 'react-dom/client';

// The baseline of the widget benchmark: React and nothing else, built the same way.
createRoot(document.getElementById('root')!).render(<p>Hello from React</p>);
