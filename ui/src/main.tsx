import { render } from 'preact';
import { App } from './app.js';
import './styles.css';
import './theme.js';

render(<App />, document.getElementById('app')!);
