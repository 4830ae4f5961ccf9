import { render } from 'preact';
import { Overlay } from './overlay.tsx';

render(<Overlay />, document.getElementById('app')!);
