import { createRoot } from 'react-dom/client';
import { Playground } from './playground.tsx';
import './playground.css';

// No StrictMode: its doubled effects would connect twice, and the message log would show both.
createRoot(document.getElementById('root')!).render(<Playground />);
