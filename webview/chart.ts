/**
 * chart.js with the parts every chart of the webviews uses (line charts on linear or log scales,
 * legend and tooltip) registered once; the inspector's loss chart and its Runs tab import it from here.
 */
import { Chart, Legend, LineController, LineElement, LinearScale, LogarithmicScale, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip);

export { Chart };
export type { ChartDataset, Plugin } from 'chart.js';
