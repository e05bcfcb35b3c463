import { createRoot } from 'react-dom/client';
import './ops.css';
import { OpsConsole } from './OpsConsole';

createRoot(document.getElementById('root')!).render(<OpsConsole />);
