import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadConfig } from './config';
import './styles.css';

const config = await loadConfig();
createRoot(document.getElementById('root')!).render(<App config={config} />);
